"""The social feed and trending tags."""
