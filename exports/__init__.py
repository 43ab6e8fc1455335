"""Large list exports built in the background (issue 13): a job, its progress, and its file for its owner."""
