"""catalog-ml: the Python logic behind the project's dbt Python models."""
