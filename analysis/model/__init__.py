"""The cost model: pure, vectorized numpy functions with no I/O and no plotting.

``sizing`` (memory, whole GPUs), ``throughput`` (the roofline bound), ``costs`` (API bill, owning, power,
renting, engineering), ``breakeven`` (savings, payback, break-even volume in closed form), and
``spine`` (one situation evaluated for any number of value sets: the three cases, Monte Carlo draws,
a tornado's ends) which every caller goes through.
"""
