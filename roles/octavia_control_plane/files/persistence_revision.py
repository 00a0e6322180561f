# Prints "<applied revision or -> <head revision>" of TaskFlow's persistence database named in
# octavia.conf's [task_flow] persistence_connection (argv[1]).
import sys

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from oslo_config import cfg
import sqlalchemy
from taskflow.persistence.backends.sqlalchemy import migration

# Imported for its side effect: it registers the [task_flow] options.
from octavia.common import config  # noqa: F401  pylint: disable=unused-import

cfg.CONF(['--config-file', sys.argv[1]], project='octavia', default_config_files=[], default_config_dirs=[])
head = ScriptDirectory.from_config(migration._make_alembic_config()).get_current_head()
engine = sqlalchemy.create_engine(cfg.CONF.task_flow.persistence_connection)
with engine.connect() as connection:
    current = MigrationContext.configure(connection).get_current_revision()
print(current or '-', head)
