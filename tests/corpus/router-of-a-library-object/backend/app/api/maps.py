from tilekit import TilerFactory

cog = TilerFactory(router_prefix="/cog")


@cog.router.get("/{z}/{x}/{y}")
def tile(z: int, x: int, y: int) -> dict[str, int]:
    return {"z": z, "x": x, "y": y}
