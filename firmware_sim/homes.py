"""Simulated homes in Jinghong (景洪, Xishuangbanna): the home, its resident and its devices.

Everything here is drawn from a seeded generator, so the same seed gives the same homes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from domain.model import Device, DeviceKind, Home, Resident, Room
from firmware_sim import models
from firmware_sim.models import ModelSpec
from firmware_sim.people import PersonaName

JINGHONG = (22.0088, 100.7979)  # city centre, WGS-84
_STREETS = (
    "宣慰大道",
    "勐泐大道",
    "嘎兰中路",
    "曼听路",
    "民航路",
    "景德路",
    "勐海路",
    "曼弄枫路",
    "孔雀湖路",
    "嘎兰南路",
    "勐腊路",
    "景洪东路",
)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林岩玉刀"
_GIVEN: tuple[str, ...] = (
    "秀英",
    "桂英",
    "玉兰",
    "建国",
    "国华",
    "淑珍",
    "凤英",
    "志强",
    "丽华",
    "德明",
)
_GIVEN += ("金凤", "玉香", "永福", "兰芳", "文华", "秀珍", "光明", "玉罕", "岩香", "玉波")
PERSONA_CYCLE: tuple[PersonaName, ...] = (
    PersonaName.NAPPER,
    PersonaName.EARLY_RISER,
    PersonaName.FRAIL,
    PersonaName.OUTGOER,
    PersonaName.DEMENTIA,
)
_RISKS = {
    PersonaName.NAPPER: ["lives_alone", "80plus"],
    PersonaName.EARLY_RISER: ["lives_alone"],
    PersonaName.FRAIL: ["lives_alone", "80plus", "frail", "fall_history"],
    PersonaName.OUTGOER: ["lives_alone"],
    PersonaName.DEMENTIA: ["lives_alone", "80plus", "dementia"],
}
HOMES_PER_COMMUNITY = 50


@dataclass(slots=True)
class SimHome:
    home: Home
    residents: list[Resident]
    devices: list[Device]
    personas: list[PersonaName] = field(default_factory=list)  # one per resident

    @property
    def home_id(self) -> str:
        return self.home.home_id

    def device(self, kind: DeviceKind, room: Room | None = None) -> Device:
        for d in self.devices:
            if d.kind is kind and (room is None or d.room is room):
                return d
        raise KeyError(f"{self.home_id} has no {kind} {room or ''}")


def spec_of(device: Device) -> ModelSpec:
    return _SPECS[device.model]


_SPECS = {
    s.model: s
    for s in (
        models.PENDANT,
        models.PIR,
        models.DOOR,
        models.BED,
        models.ENVIRONMENT,
        models.GATEWAY,
    )
}


def home_id_for(index: int, prefix: str = "jh") -> str:
    return f"{prefix}{index:05d}"


def build_home(
    index: int,
    rng: np.random.Generator,
    persona: PersonaName | None = None,
    prefix: str = "jh",
) -> SimHome:
    hid = home_id_for(index, prefix)
    community = f"jinghong-{index // HOMES_PER_COMMUNITY + 1:02d}"
    street = _STREETS[int(rng.integers(len(_STREETS)))]
    address = (
        f"云南省西双版纳傣族自治州景洪市{street}{int(rng.integers(1, 300))}号"
        f"{int(rng.integers(1, 12))}栋{int(rng.integers(1, 4))}单元{int(rng.integers(101, 802))}室"
    )
    lat = JINGHONG[0] + float(rng.normal(0, 0.012))
    lon = JINGHONG[1] + float(rng.normal(0, 0.012))
    home = Home(home_id=hid, community_id=community, address=address, lat=lat, lon=lon)
    chosen = persona or PERSONA_CYCLE[index % len(PERSONA_CYCLE)]
    name = _SURNAMES[int(rng.integers(len(_SURNAMES)))] + _GIVEN[int(rng.integers(len(_GIVEN)))]
    from firmware_sim.people import PERSONAS

    age = PERSONAS[chosen].age + int(rng.integers(-2, 3))
    resident = Resident(
        resident_id=f"{hid}-r1",
        home_id=hid,
        name=name,
        birth_year=2026 - age,
        phone=f"138{int(rng.integers(0, 10**8)):08d}",
        notes=f"simulated persona: {chosen}",
        risk=list(_RISKS[chosen]),
    )
    devices = [
        Device(f"{hid}-gw", hid, DeviceKind.GATEWAY, models.GATEWAY.model, Room.LIVING_ROOM),
        Device(f"{hid}-pendant", hid, DeviceKind.PENDANT, models.PENDANT.model, None),
    ]
    devices += [
        Device(
            f"{hid}-pir-{room.value.replace('_', '-')}",
            hid,
            DeviceKind.MOTION,
            models.PIR.model,
            room,
        )
        for room in models.PIR_ROOMS
    ]
    devices += [
        Device(f"{hid}-door", hid, DeviceKind.DOOR, models.DOOR.model, Room.ENTRANCE),
        Device(f"{hid}-bed", hid, DeviceKind.BED, models.BED.model, Room.BEDROOM),
        Device(f"{hid}-env", hid, DeviceKind.ENVIRONMENT, models.ENVIRONMENT.model, Room.KITCHEN),
    ]
    return SimHome(home=home, residents=[resident], devices=devices, personas=[chosen])


def build_homes(
    n: int, seed: int, personas: list[PersonaName] | None = None, prefix: str = "jh"
) -> list[SimHome]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        chosen = personas[i % len(personas)] if personas else None
        out.append(build_home(i + 1, rng, chosen, prefix))
    return out
