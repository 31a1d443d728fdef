"""The service desk."""
