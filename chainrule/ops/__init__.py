"""The gates: one module per family of operations.

Each gate is a class with its forward computation and its local backward rule side by side;
the docstring gives the local derivative. The rules are vector-Jacobian products: none of
them ever builds a Jacobian.
"""
