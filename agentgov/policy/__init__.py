"""The policy: its format, validation, compiled cache and the policy in force."""
