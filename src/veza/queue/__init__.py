"""The play queue and shared listening sessions."""
