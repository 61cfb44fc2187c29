"""The monthly mechanisms: each a function over the model's arrays.

The Model calls them in the order of the month (see ``DomesticWorkModel.step``).
"""
