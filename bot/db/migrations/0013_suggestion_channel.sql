-- Where a member suggested a link: the decision on it is mentioned there when their DMs are
-- closed (member notices). NULL for suggestions made before this column existed.
ALTER TABLE resource_suggestions ADD COLUMN channel_id INTEGER;
