"""`oic graph`: a checked pipeline's reactions as a graph (``reactions``), drawn for Graphviz
(``dot``) or Mermaid (``mermaid``), and as SVG through Graphviz's ``dot`` program (``svg``)."""
