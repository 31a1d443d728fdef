"""Knowledge base: articles, search, suggestions and automatic answers for the service desk."""
