"""One service per process (mesh mode): its own backends, the other services over gRPC.

CHIRP_SERVICE names the service; the registry says which servers it needs
and which services it calls, each found at CHIRP_<NAME>_TARGET (several
addresses balance round-robin). Mesh mode runs on the production backends
only: the servers the service needs must be configured. What the process
holds is `service_process.py`; how each service is built, `service_builders.py`.
"""

from services.common.runtime.config import Settings
from services.common.runtime.env import ConfigError
from services.common.runtime.fault_hooks import FaultHooks
from services.mesh.credentials import open_authenticator, signing_key
from services.mesh.service_builders import BUILDERS
from services.mesh.service_process import ServiceProcess
from services.registry import entry


async def build_process(settings: Settings, hooks: FaultHooks = FaultHooks()) -> ServiceProcess:
    needed = entry(settings.service)
    missing = [f"CHIRP_{name.upper()}" for name in needed.needs if not getattr(settings, name)]
    missing += [entry(name).target_variable for name in needed.calls if name not in settings.targets]
    if missing:
        raise ConfigError(f"CHIRP_SERVICE={settings.service} needs {', '.join(missing)}")
    process = ServiceProcess()
    try:
        process.authenticator = open_authenticator(settings, process.resources, signing_key(settings))
        await BUILDERS[settings.service](settings, process, hooks)
    except BaseException:
        await process.close()
        raise
    return process
