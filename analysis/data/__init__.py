"""Stage 1: the dataset: read and check it (``loading``), the range of every number (``limits``) and how a
reader's text is read (``inputs``), the column dictionary (``datadoc``), prices from genai-prices (``prices``).
"""
