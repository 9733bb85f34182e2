"""Rules about credentials: ``secrets.read`` and ``secrets.exfiltration``, with the shared
knowledge of which paths hold secrets (``secret_paths``), which commands print them
(``secret_sources``) and which send data over the network (``network_senders``)."""
