"""Rules for raw block devices."""
