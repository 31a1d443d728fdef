"""All logic of the CRM backend: one package per business area plus the shared core."""
