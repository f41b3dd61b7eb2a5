import sys

from catalog_ml.bench_recs.cli import main

sys.exit(main())
