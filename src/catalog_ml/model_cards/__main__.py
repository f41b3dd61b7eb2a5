"""`python -m catalog_ml.model_cards WAREHOUSE --out DIR` (see catalog_ml.model_cards.cli)."""

import sys

from catalog_ml.model_cards.cli import main

sys.exit(main())
