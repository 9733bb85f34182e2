"""Rules about running shell code: ``shell.pipe-to-interpreter``, with what counts as a
download (``downloads``) and as an interpreter (``interpreters``)."""
