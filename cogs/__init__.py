"""Thin Discord adapters, one per capability: parse options, call a service, render."""
