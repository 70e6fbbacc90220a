"""site.py's rules on small hand-made answers, each expected record or figure written out by hand
from the documents given."""

from __future__ import annotations

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.site import to_site

PVS = {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "MODEL": "PV Supervisor PVS6"}


def test_storage_entries_of_one_unlisted_serial_become_one_device() -> None:
    """The status's `ess_state[0]` is the state of `ess_status[0]` (same serial): with no listed
    device of that serial they still make one ESS record, not two lines of one series."""
    status = {
        "ess_report": {
            "ess_status": [
                {
                    "serial_number": "E1",
                    "ess_meter_reading": {"agg_power": {"value": -1.068, "unit": "kW"}},
                }
            ],
            "ess_state": [{"operational_mode": "SELF_CONSUMPTION"}],
        }
    }
    site = to_site(Answer(devices={"devices": [PVS]}, ess_status=status, firmware="legacy"))
    assert site.records == [
        {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "MODEL": "PVS6"},
        {
            "DEVICE_TYPE": "Energy Storage System",
            "SERIAL": "E1",
            "ORIGIN": "storage status",
            "operational_mode": "SELF_CONSUMPTION",
            "p_3phsum_kw": -1.068,
        },
    ]
