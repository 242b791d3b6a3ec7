"""Twin Impact ETL: source files → contract check → raw → staging → marts."""

import os

# numpy's BLAS on one thread unless the user says otherwise: the estimator's matrices are
# tens of rows, and OpenBLAS threads spin-waiting beside DuckDB's made its 101 small products
# ten times slower on a busy machine (the results are the same bit for bit). Set before any
# module imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
