"""The knowledge base: load the YAML files with file:line for every problem, and check them."""
