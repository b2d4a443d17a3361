"""No app here."""

import os
