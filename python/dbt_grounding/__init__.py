"""dbt-grounding: the grounding layer between a dbt warehouse and AI agents."""

__version__ = "0.1.0"

__all__ = ["__version__"]
