"""fmg-bot: the network a foreign medical graduate lacks, inside a Discord server."""

__version__ = "0.1.0"
