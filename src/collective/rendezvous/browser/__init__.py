"""Classic UI views, forms, templates and static resources."""
