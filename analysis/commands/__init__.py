"""Stage 5: the command line (``cli``) and what it runs: the notebooks (``runner``), what-if reports
(``whatif``, ``outdir``), quotes (``quote``, ``quote_options``), the price sync, the Vega bundle, the gate before
a report (``gate``) and the clean-up after any command (``janitor``).
"""
