"""Git hooks and the pre-commit framework: real repositories, a real bare remote."""
