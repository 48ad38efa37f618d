"""Stage 3: a dataset's rows through the model: a situation resolved from names (``situation``), its three
cases (``scenarios``), Monte Carlo draws (``uncertainty``), one quote (``quoting``), the guide's own arithmetic
(``guide_mode``) and the verdict rules (``verdicts``).
"""
