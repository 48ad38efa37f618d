"""Stage 3: a dataset's rows through the model: the dataset record and the calibration (``lookups``), a
situation resolved from the record by name (``resolve``), its three cases (``scenarios``), Monte Carlo draws
(``uncertainty``), one quote (``quoting``), the guide's own arithmetic (``guide_mode``) and the verdict rules
(``verdicts``).
"""
