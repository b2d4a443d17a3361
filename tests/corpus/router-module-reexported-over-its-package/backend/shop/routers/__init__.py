"""Each subpackage's module is bound over the subpackage's own name (jerseyshop-server)."""

from .admin import admin
from .home import home
