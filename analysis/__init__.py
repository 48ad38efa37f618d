"""The report's stages, one package each, lower never importing higher: ``data`` (read and check the dataset)
and ``model`` (pure numpy), ``evaluation`` (a dataset's rows through the model: situations, cases, draws, the
guide's own arithmetic), ``report`` (chapters, tables, charts, pages) and ``commands`` (the command line).
"""
