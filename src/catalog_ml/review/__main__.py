import sys

from catalog_ml.review.app import main

sys.exit(main())
