"""`oic lsp`: a language server for `.oi` files, over standard input and output (docs/lsp.md).

``server`` wires the features to pygls; each feature is a module of its own that works on a
``documents.Document`` (the text, its lines, and the last analysis of it) and answers with
``lsprotocol`` values: ``diagnostics``, ``hover``, ``completion``, ``navigation`` (definition and
references), ``symbols``, ``rename``, ``code_actions`` and ``formatting``. Positions are converted
between oi's spans (1-based, code points) and the client's (0-based, UTF-16 code units unless the
client asks otherwise) in ``positions`` only.
"""
