"""The review app's screens, one module per audience: district, municipal (city), expert, public."""
