from . import test_common
from . import test_customer_tier
from . import test_i18n
from . import test_performance
from . import test_relationship_level
from . import test_ui
from . import test_customer_visit
