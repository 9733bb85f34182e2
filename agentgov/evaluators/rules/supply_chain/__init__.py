"""``supply-chain.unpinned-install`` and the readers it uses: one module per ecosystem's
command line (``pip_args``, ``python_tools``, ``npm_args``, ``cargo_args``, ``go_args``,
``gem_args``, ``docker_args``, ``brew_args``), the pin vocabulary they share
(``pin_forms``), and pip's requirement syntax and files (``pip_specs``,
``requirements_files``)."""
