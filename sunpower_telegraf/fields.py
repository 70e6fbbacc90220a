"""The vocabulary of every line sunpower-lp prints, in one table: `docs/fields.md` is made from it.

    python -m sunpower_telegraf.fields > docs/fields.md

Each measurement with its tags and fields: unit, type (from `devices.STRING_FIELDS`: every other
field is a float), meaning, and where the PVS gives it, by firmware. A test keeps the page equal
to this table, and checks the table against the mapping itself: every field a fixture or a real
capture prints is here with the source it came from, and every source name here maps to the
field's name in the code.

Sources (`Field.sources`), each `kind:name` as the PVS spells it:

- `DL` the device list: the legacy `DeviceList` and, on current firmware, `devices/list`, with
  the same names (the key in lower case is the field);
- `SS` the legacy storage status, `energy-storage-system/status` (legacy firmware only): the path
  of the value under `ess_report`;
- `VS` the varserver of current firmware: `/sys/devices/<kind>/<i>/<name>`, `/sys/info/<name>`;
- `LD` `/sys/livedata/<name>` (current firmware);
- `sunpower-lp` worked out by this tool (the site summary).
"""

from __future__ import annotations

from typing import NamedTuple

from .devices import STRING_FIELDS


class Field(NamedTuple):
    name: str
    unit: str
    meaning: str
    sources: tuple[str, ...]

    @property
    def type(self) -> str:
        return "string" if self.name in STRING_FIELDS else "float"


class Measurement(NamedTuple):
    name: str  # without the prefix (`--prefix`, sunpower_ by default)
    tags: str
    meaning: str
    fields: tuple[Field, ...]


def f(name: str, unit: str, meaning: str, *sources: str) -> Field:
    return Field(name, unit, meaning, sources)


STATE = (
    f(
        "state",
        "",
        "the device's STATE in lower case: `working`, `error` (an inverter asleep at "
        "night is in `error`), or another word the PVS uses",
        "DL:STATE",
    ),
    f(
        "state_code",
        "code",
        "0 working, 1 error, 2 any other state: a number a panel can colour "
        "and an alert can compare",
        "DL:STATE",
    ),
)
SERIAL_MODEL = "`serial`, `model`"

LISTED: tuple[Measurement, ...] = (
    Measurement(
        "pvs",
        SERIAL_MODEL,
        "The PVS itself. `model` is `PVS6` or `PVS5` on every "
        "source (the device list's `PV Supervisor PVS6` loses its prefix).",
        (
            f("dl_uptime", "s", "time since the PVS started", "DL:dl_uptime", "VS:uptime"),
            f(
                "dl_cpu_load",
                "load average",
                "the PVS processor's 1-minute load average (not a percentage)",
                "DL:dl_cpu_load",
            ),
            f("dl_mem_used", "KiB", "memory in use", "DL:dl_mem_used"),
            f("dl_flash_avail", "KiB", "free flash storage", "DL:dl_flash_avail"),
            f(
                "dl_err_count",
                "count",
                "errors the PVS detected since its last report",
                "DL:dl_err_count",
            ),
            f(
                "dl_comm_err",
                "count",
                "communication errors with its devices, as the PVS counts them",
                "DL:dl_comm_err",
            ),
            f(
                "dl_skipped_scans",
                "count",
                "scans of its devices the PVS skipped",
                "DL:dl_skipped_scans",
            ),
            f(
                "dl_scan_time",
                "s",
                "how long the PVS's last scan of its devices took",
                "DL:dl_scan_time",
            ),
            f(
                "dl_untransmitted",
                "count",
                "records waiting to be sent to the vendor's cloud",
                "DL:dl_untransmitted",
            ),
            f("cpu_usage_percent", "%", "processor use", "VS:cpu_usage"),
            f(
                "ram_usage_percent",
                "%",
                "memory use (another quantity than `dl_mem_used`)",
                "VS:ram_usage",
            ),
            f(
                "flash_usage_percent",
                "%",
                "flash storage use (another quantity than `dl_flash_avail`)",
                "VS:flash_usage",
            ),
            *STATE,
        ),
    ),
    Measurement(
        "power_meter",
        f"{SERIAL_MODEL}, `subtype`",
        "A meter inside the PVS. `subtype` "
        "says what it measures: `GROSS_PRODUCTION_SITE` the panels' output; "
        "`NET_CONSUMPTION_LOADSIDE` the grid (positive importing, negative exporting); "
        "`GROSS_CONSUMPTION_LINESIDE` the home. The varserver names no subtype: a meter whose "
        "model ends in `p` is production, and livedata tells the two consumption kinds apart. "
        "Old PVS5 meters have none: `c` meters are net there.",
        (
            f(
                "p_3phsum_kw",
                "kW",
                "real power, all legs together",
                "DL:p_3phsum_kw",
                "VS:p3phsumKw",
            ),
            f("q_3phsum_kvar", "kvar", "reactive power", "DL:q_3phsum_kvar", "VS:q3phsumKvar"),
            f(
                "s_3phsum_kva",
                "kVA",
                "apparent power (volts x amps)",
                "DL:s_3phsum_kva",
                "VS:s3phsumKva",
            ),
            f(
                "tot_pf_rto",
                "ratio",
                "power factor, real / apparent power (-1 to 1; negative while a net meter exports)",
                "DL:tot_pf_rto",
                "VS:totPfRto",
            ),
            f("freq_hz", "Hz", "grid frequency", "DL:freq_hz", "VS:freqHz"),
            f(
                "net_ltea_3phsum_kwh",
                "kWh",
                "lifetime net energy: produced (production meter), "
                "imported - exported (net meter, falls while exporting), used by the home (gross "
                "meter)",
                "DL:net_ltea_3phsum_kwh",
                "VS:netLtea3phsumKwh",
            ),
            f(
                "pos_ltea_3phsum_kwh",
                "kWh",
                "lifetime energy in the positive direction: imported (net meter)",
                "DL:pos_ltea_3phsum_kwh",
                "VS:posLtea3phsumKwh",
            ),
            f(
                "neg_ltea_3phsum_kwh",
                "kWh",
                "lifetime energy in the negative direction: exported "
                "(net meter); 0 is real on a meter that never saw export",
                "DL:neg_ltea_3phsum_kwh",
                "VS:negLtea3phsumKwh",
            ),
            f("p1_kw", "kW", "real power of leg 1 (consumption meters)", "DL:p1_kw", "VS:p1Kw"),
            f("p2_kw", "kW", "real power of leg 2 (consumption meters)", "DL:p2_kw", "VS:p2Kw"),
            f(
                "i1_a",
                "A",
                "current of leg 1 (consumption meters; never negative)",
                "DL:i1_a",
                "VS:i1A",
            ),
            f(
                "i2_a",
                "A",
                "current of leg 2 (consumption meters; never negative)",
                "DL:i2_a",
                "VS:i2A",
            ),
            f("i_a", "A", "current (production meters, and old meters)", "DL:i_a"),
            f("v1n_v", "V", "voltage of leg 1 to neutral", "DL:v1n_v", "VS:v1nV"),
            f("v2n_v", "V", "voltage of leg 2 to neutral", "DL:v2n_v", "VS:v2nV"),
            f("v12_v", "V", "voltage between the legs", "DL:v12_v", "VS:v12V"),
            f(
                "ct_scl_fctr",
                "A",
                "the current transformer's rating (its scale factor): 50 on a "
                "production CT, 100 or 200 on a consumption CT; a firmware update has been seen to "
                "change it",
                "DL:ct_scl_fctr",
                "VS:ctSclFctr",
            ),
            *STATE,
        ),
    ),
    Measurement(
        "inverter",
        SERIAL_MODEL,
        "A microinverter, one per panel. At night the device "
        "list keeps it in `error` with its last reading (written at collection time); the "
        "varserver leaves it out.",
        (
            f("p_3phsum_kw", "kW", "AC power out", "DL:p_3phsum_kw", "VS:p3phsumKw"),
            f(
                "ltea_3phsum_kwh",
                "kWh",
                "lifetime energy produced",
                "DL:ltea_3phsum_kwh",
                "VS:ltea3phsumKwh",
            ),
            f("vln_3phavg_v", "V", "AC voltage", "DL:vln_3phavg_v", "VS:vln3phavgV"),
            f("i_3phsum_a", "A", "AC current", "DL:i_3phsum_a", "VS:i3phsumA"),
            f("freq_hz", "Hz", "grid frequency", "DL:freq_hz", "VS:freqHz"),
            f(
                "p_mppt1_kw",
                "kW",
                "DC power from the panel (maximum power point tracker 1)",
                "DL:p_mppt1_kw",
                "VS:pMppt1Kw",
            ),
            f(
                "p_mpptsum_kw",
                "kW",
                "DC power from the panel, older models' name",
                "DL:p_mpptsum_kw",
            ),
            f("v_mppt1_v", "V", "DC voltage of the panel", "DL:v_mppt1_v", "VS:vMppt1V"),
            f("i_mppt1_a", "A", "DC current of the panel", "DL:i_mppt1_a", "VS:iMppt1A"),
            f("t_htsnk_degc", "degC", "heat sink temperature", "DL:t_htsnk_degc", "VS:tHtsnkDegc"),
            f(
                "stat_ind",
                "code",
                "the inverter's status indicator as the PVS reports it: 0 on every "
                "healthy reading seen; no public table of the other codes",
                "DL:stat_ind",
            ),
            *STATE,
        ),
    ),
    Measurement(
        "energy_storage_system",
        SERIAL_MODEL,
        "The battery system (SunVault) as a "
        "whole: the battery's power, as the PVS signs it, is here on both firmwares.",
        (
            f(
                "p_3phsum_kw",
                "kW",
                "the battery's power: positive discharging into the home, negative charging",
                "SS:ess_status.ess_meter_reading.agg_power",
                "VS:p3phsumKw",
            ),
            f(
                "v1n_v",
                "V",
                "voltage of leg 1 to neutral at the battery",
                "SS:ess_status.ess_meter_reading.meter_a.reading.voltage",
                "VS:v1nV",
            ),
            f(
                "v2n_v",
                "V",
                "voltage of leg 2 to neutral at the battery",
                "SS:ess_status.ess_meter_reading.meter_b.reading.voltage",
                "VS:v2nV",
            ),
            f(
                "ess_meter_a_current_a",
                "A",
                "current of leg A",
                "SS:ess_status.ess_meter_reading.meter_a.reading.current",
            ),
            f(
                "ess_meter_b_current_a",
                "A",
                "current of leg B",
                "SS:ess_status.ess_meter_reading.meter_b.reading.current",
            ),
            f(
                "ess_meter_a_power_kw",
                "kW",
                "power of leg A, unsigned: volts x amps (not the battery's power)",
                "SS:ess_status.ess_meter_reading.meter_a.reading.power",
            ),
            f(
                "ess_meter_b_power_kw",
                "kW",
                "power of leg B, unsigned: volts x amps",
                "SS:ess_status.ess_meter_reading.meter_b.reading.power",
            ),
            f(
                "customer_soc_percent",
                "%",
                "state of charge as the owner's app shows it",
                "VS:customerSocVal",
            ),
            f(
                "soc_percent",
                "%",
                "the system's own state of charge (the owner's is scaled to a reserve)",
                "VS:socVal",
            ),
            f("soh_percent", "%", "state of health", "VS:sohVal"),
            f("v_batt_v", "V", "battery (DC) voltage", "VS:vBattV"),
            f("chrg_limit_pmax_kw", "kW", "the most it may charge at now", "VS:chrgLimitPmaxKw"),
            f(
                "dischrg_lim_pmax_kw",
                "kW",
                "the most it may discharge at now",
                "VS:dischrgLimPmaxKw",
            ),
            f("max_t_batt_cell_degc", "degC", "warmest cell", "VS:maxTBattCellDegc"),
            f("min_t_batt_cell_degc", "degC", "coolest cell", "VS:minTBattCellDegc"),
            f("max_v_batt_cell_v", "V", "highest cell voltage", "VS:maxVBattCellV"),
            f("min_v_batt_cell_v", "V", "lowest cell voltage", "VS:minVBattCellV"),
            f(
                "pos_ltea_3phsum_kwh",
                "kWh",
                "lifetime energy in the positive direction (discharged)",
                "VS:posLtea3phsumKwh",
            ),
            f(
                "neg_ltea_3phsum_kwh",
                "kWh",
                "lifetime energy in the negative direction (charged)",
                "VS:negLtea3phsumKwh",
            ),
            f("t_invtr_degc", "degC", "the battery inverter's temperature", "VS:tInvtrDegc"),
            f(
                "enclosure_temperature_degc",
                "degC",
                "temperature in the enclosure",
                "SS:ess_status.enclosure_temperature",
            ),
            f(
                "enclosure_humidity_percent",
                "%",
                "humidity in the enclosure",
                "SS:ess_status.enclosure_humidity",
            ),
            f("operational_ac_kw", "kW", "power it can deliver now", "DL:operational_ac_kW"),
            f("operational_ac_kwh", "kWh", "energy it can store now", "DL:operational_ac_kWh"),
            f("rated_ac_kw", "kW", "rated power", "DL:rated_ac_kW"),
            f("rated_ac_kwh", "kWh", "rated capacity", "DL:rated_ac_kWh"),
            f(
                "operational_mode",
                "",
                "what the battery is set to do (`SELF_CONSUMPTION`, "
                "`ENERGY_ARBITRAGE`, `BACKUP_ONLY`, ...)",
                "SS:ess_state.operational_mode",
                "VS:opMode",
            ),
            f(
                "permission_to_operate",
                "",
                "whether the utility's permission is recorded",
                "SS:ess_state.permission_to_operate",
            ),
            f(
                "storage_controller_status",
                "",
                "the storage controller's state (`RUNNING`, ...)",
                "SS:ess_state.storage_controller_status",
            ),
            *STATE,
        ),
    ),
    Measurement(
        "ess_bms",
        SERIAL_MODEL,
        "A battery module's management system (legacy firmware).",
        (
            f(
                "customer_soc_percent",
                "%",
                "state of charge as the owner's app shows it",
                "SS:battery_status.customer_state_of_charge",
            ),
            f(
                "soc_percent",
                "%",
                "the system's own state of charge",
                "SS:battery_status.system_state_of_charge",
            ),
            f("v_batt_v", "V", "the module's DC voltage", "SS:battery_status.battery_voltage"),
            f(
                "battery_amperage_a",
                "A",
                "the module's DC current (its product with the voltage is not the battery's power)",
                "SS:battery_status.battery_amperage",
            ),
            f(
                "temperature_degc",
                "degC",
                "the module's temperature",
                "SS:battery_status.temperature",
            ),
            *STATE,
        ),
    ),
    Measurement(
        "battery",
        SERIAL_MODEL,
        "A battery pack (legacy firmware).",
        (
            f("operational_ac_kwh", "kWh", "energy it can store now", "DL:operational_ac_kWh"),
            f("rated_ac_kwh", "kWh", "rated capacity", "DL:rated_ac_kWh"),
            *STATE,
        ),
    ),
    Measurement(
        "storage_inverter",
        SERIAL_MODEL,
        "The battery's inverter (legacy firmware).",
        (
            f(
                "ac_power_kw",
                "kW",
                "AC power, signed like the battery's (positive discharging); "
                "the site's battery power where the ESS gives none",
                "SS:inverter_status.ac_power",
            ),
            f("ac_current_a", "A", "AC current", "SS:inverter_status.ac_current"),
            f("phase_a_current_a", "A", "current of phase A", "SS:inverter_status.phase_a_current"),
            f("phase_b_current_a", "A", "current of phase B", "SS:inverter_status.phase_b_current"),
            f(
                "a_n_voltage_v",
                "V",
                "voltage of phase A to neutral",
                "SS:inverter_status.a_n_voltage",
            ),
            f(
                "b_n_voltage_v",
                "V",
                "voltage of phase B to neutral",
                "SS:inverter_status.b_n_voltage",
            ),
            f("temperature_degc", "degC", "temperature", "SS:inverter_status.temperature"),
            f("operational_ac_kw", "kW", "power it can deliver now", "DL:operational_ac_kW"),
            f("rated_ac_kw", "kW", "rated power", "DL:rated_ac_kW"),
            *STATE,
        ),
    ),
    Measurement(
        "hub",
        SERIAL_MODEL,
        "The HUB+ or MIDC: the switch (MID) that islands the home "
        "from the grid when it fails. The varserver's transfer switch.",
        (
            f(
                "mid_state",
                "",
                "the MID contactor: `CLOSED` (on the grid), `OPEN` (islanded); "
                "written as one word on every source (the varserver's `MID_STATE_CLOSED` is "
                "`CLOSED`), other values as the PVS gives them",
                "SS:hub_plus_status.contactor_position",
                "VS:midStEnum",
            ),
            f(
                "pvd1_state",
                "",
                "the PV disconnect's state, as one word like `mid_state`",
                "VS:pvd1StEnum",
            ),
            f(
                "v1n_grid_v",
                "V",
                "grid voltage, leg 1 to neutral",
                "SS:hub_plus_status.grid_phase1_voltage",
                "VS:v1nGridV",
            ),
            f(
                "v2n_grid_v",
                "V",
                "grid voltage, leg 2 to neutral",
                "SS:hub_plus_status.grid_phase2_voltage",
                "VS:v2nGridV",
            ),
            f(
                "v1n_v",
                "V",
                "home (load) voltage, leg 1 to neutral",
                "SS:hub_plus_status.load_phase1_voltage",
                "VS:v1nV",
            ),
            f(
                "v2n_v",
                "V",
                "home (load) voltage, leg 2 to neutral",
                "SS:hub_plus_status.load_phase2_voltage",
                "VS:v2nV",
            ),
            f("t_degc", "degC", "temperature", "SS:hub_plus_status.hub_temperature", "VS:tDegc"),
            f("v_spply_v", "V", "its supply voltage", "VS:vSpplyV"),
            f("hub_humidity_percent", "%", "humidity", "SS:hub_plus_status.hub_humidity"),
            f("main_voltage_v", "V", "voltage between the legs", "SS:hub_plus_status.main_voltage"),
            f(
                "aux_port_voltage_v",
                "V",
                "auxiliary port voltage",
                "SS:hub_plus_status.aux_port_voltage",
            ),
            f(
                "inverter_connection_voltage_v",
                "V",
                "voltage at the battery inverter's connection",
                "SS:hub_plus_status.inverter_connection_voltage",
            ),
            f(
                "jump_start_voltage_v",
                "V",
                "jump start voltage",
                "SS:hub_plus_status.jump_start_voltage",
            ),
            f(
                "contactor_error",
                "",
                "the contactor's error (`NONE` when there is none)",
                "SS:hub_plus_status.contactor_error",
            ),
            f(
                "grid_voltage_state",
                "",
                "whether the grid voltage is in range",
                "SS:hub_plus_status.grid_voltage_state",
            ),
            f(
                "grid_frequency_state",
                "",
                "whether the grid frequency is in range",
                "SS:hub_plus_status.grid_frequency_state",
            ),
            f(
                "load_voltage_state",
                "",
                "whether the home's voltage is in range",
                "SS:hub_plus_status.load_voltage_state",
            ),
            f(
                "load_frequency_state",
                "",
                "whether the home's frequency is in range",
                "SS:hub_plus_status.load_frequency_state",
            ),
            *STATE,
        ),
    ),
    Measurement(
        "ess_hub",
        SERIAL_MODEL,
        "The battery system's hub (legacy firmware). Its device-list record carries its own "
        "sensors (the published SunVault capture); a storage status does not report it.",
        (
            f("t_degc", "degC", "the hub's temperature", "DL:t_degc"),
            f(
                "humidity",
                "%",
                "relative humidity inside the enclosure (the storage status gives the same "
                "figure as the ESS's `enclosure_humidity_percent`)",
                "DL:humidity",
            ),
            f("v_spply_v", "V", "its supply voltage", "DL:v_spply_v"),
            f("v_dcdc_spply_v", "V", "its DC-DC converter's supply voltage", "DL:v_dcdc_spply_v"),
            f("v_gateway_v", "V", "the voltage it supplies the gateway", "DL:v_gateway_v"),
            f("fan_actv_fl", "flag", "1 while its fan runs, else 0", "DL:fan_actv_fl"),
            f("fw_error", "code", "its firmware's error, 0 for none", "DL:fw_error"),
            f("event_history", "code", "its event history as the PVS gives it", "DL:event_history"),
            *STATE,
        ),
    ),
    Measurement("gateway", SERIAL_MODEL, "The battery system's gateway (legacy firmware).", STATE),
    Measurement(
        "pv_disconnect",
        SERIAL_MODEL,
        "The relay that disconnects the panels on a "
        "storage site (legacy firmware). Its relay values are codes as the PVS numbers them.",
        (
            f("relay1_state", "code", "relay 1's state", "DL:relay1_state"),
            f("relay2_state", "code", "relay 2's state", "DL:relay2_state"),
            f("relay1_error", "code", "relay 1's error, 0 for none", "DL:relay1_error"),
            f("relay2_error", "code", "relay 2's error, 0 for none", "DL:relay2_error"),
            f("relay_mode", "code", "the relays' mode", "DL:relay_mode"),
            f("fw_error", "code", "its firmware's error, 0 for none", "DL:fw_error"),
            f("event_history", "code", "its event history as the PVS gives it", "DL:event_history"),
            f("v1n_grid_v", "V", "grid voltage, leg 1 to neutral", "DL:v1n_grid_v"),
            f("v2n_grid_v", "V", "grid voltage, leg 2 to neutral", "DL:v2n_grid_v"),
            f("v1n_pv_v", "V", "the panels' side, leg 1 to neutral", "DL:v1n_pv_v"),
            f("v2n_pv_v", "V", "the panels' side, leg 2 to neutral", "DL:v2n_pv_v"),
            *STATE,
        ),
    ),
    Measurement(
        "site",
        "`serial` (the PVS's)",
        "The site summary, one line per run, stamped with "
        "the time its figures describe (livedata's `time` where the powers come from livedata, "
        "else the newest meter reading). Powers follow the PVS's own accounting: home = "
        "production + grid + battery. A figure that cannot be known this poll is left out with "
        "a warning, never printed wrong; see `summary.py` for every rule.",
        (
            f(
                "production_kw",
                "kW",
                "production now",
                "LD:pv_p",
                "sunpower-lp:production meter or inverters",
            ),
            f(
                "consumption_kw",
                "kW",
                "the home's use now: production + grid + battery; left out "
                "where the site may have a battery whose power is unknown",
                "LD:site_load_p",
                "sunpower-lp:production + grid + battery",
            ),
            f(
                "grid_kw",
                "kW",
                "the grid: positive importing, negative exporting",
                "LD:net_p",
                "sunpower-lp:the consumption meter",
            ),
            f("grid_import_kw", "kW", "`grid_kw` when importing, else 0", "sunpower-lp:grid_kw"),
            f("grid_export_kw", "kW", "`-grid_kw` when exporting, else 0", "sunpower-lp:grid_kw"),
            f(
                "battery_kw",
                "kW",
                "the battery: positive discharging, negative charging",
                "LD:ess_p",
                "sunpower-lp:the ESS's p_3phsum_kw, else the storage inverters' ac_power_kw",
            ),
            f(
                "battery_soc_percent",
                "%",
                "state of charge (the average over the batteries where "
                "the PVS gives none for the site)",
                "LD:soc",
                "sunpower-lp:the batteries' customer_soc_percent",
            ),
            f(
                "battery_backup_time_min",
                "min",
                "how long the battery could run the home",
                "LD:backupTimeRemaining",
            ),
            f(
                "production_lifetime_kwh",
                "kWh",
                "lifetime production, from `production_source`",
                "sunpower-lp:production meter or inverters",
            ),
            f(
                "production_source",
                "",
                "where production's lifetime comes from: `meter` or "
                "`inverters` (`--production-source`)",
                "sunpower-lp:--production-source",
            ),
            f("consumption_lifetime_kwh", "kWh", "lifetime home use", "sunpower-lp:the meters"),
            f(
                "grid_net_lifetime_kwh",
                "kWh",
                "lifetime imported - exported",
                "sunpower-lp:the meters",
            ),
            f(
                "grid_import_lifetime_kwh",
                "kWh",
                "lifetime imported (net meter)",
                "sunpower-lp:pos_ltea_3phsum_kwh",
            ),
            f(
                "grid_export_lifetime_kwh",
                "kWh",
                "lifetime exported (net meter)",
                "sunpower-lp:neg_ltea_3phsum_kwh",
            ),
            f("battery_net_lifetime_kwh", "kWh", "lifetime discharged - charged", "LD:ess_en"),
            f("storage_alarms", "count", "active storage alarms", "SS:errors"),
            f(
                "storage_alarm_names",
                "",
                "the active storage alarms, `NAME (code) on SERIAL`",
                "SS:errors",
            ),
            f("inverters_total", "count", "inverters listed", "sunpower-lp:inverters"),
            f("inverters_working", "count", "inverters in `working`", "sunpower-lp:inverters"),
            f(
                "inverters_error",
                "count",
                "inverters in `error` (all of them at night)",
                "sunpower-lp:inverters",
            ),
            f(
                "inverters_producing",
                "count",
                "inverters not in `error` with AC power above 0: a dead or missing panel lowers it "
                "on every source",
                "sunpower-lp:inverters",
            ),
            f(
                "inverters_error_daylight",
                "count",
                "in daylight (the median inverter makes at least 60 W), the inverters in "
                "`error`: a panel to look at; 0 otherwise, so sunrise and dusk never count",
                "sunpower-lp:inverters",
            ),
            f(
                "inverters_underperforming",
                "count",
                "in daylight, producing inverters below 50 % of the median inverter: far below "
                "their neighbours now (shade, soiling, a failing module)",
                "sunpower-lp:inverters",
            ),
            f(
                "inverter_median_kw",
                "kW",
                "the median inverter's AC power, one in error counting as 0: what daylight is "
                "judged by",
                "sunpower-lp:inverters",
            ),
            f(
                "inverter_reading_age_max_s",
                "s",
                "the PVS's clock minus the oldest reading of an inverter not in `error`",
                "sunpower-lp:inverters",
            ),
            f(
                "pvs_uptime_s",
                "s",
                "the PVS's uptime at this poll: a drop is a restart",
                "sunpower-lp:dl_uptime",
            ),
        ),
    ),
)
LIVE = Measurement(
    "live",
    "`serial` (the PVS's)",
    "With `--follow` only: one line per power frame of the PVS6 telemetry websocket (about one "
    "a second), stamped with the frame's `time`, the last known value of each quantity (frames "
    "carry what changed). Its counters are the PVS's livedata counters, a series apart from "
    "`sunpower_site`'s, so no counter mixes two sources.",
    (
        f("production_kw", "kW", "solar production now", "LD:pv_p"),
        f("grid_kw", "kW", "the grid now, positive importing", "LD:net_p"),
        f("consumption_kw", "kW", "the home's use now", "LD:site_load_p"),
        f("battery_kw", "kW", "the battery now, positive discharging", "LD:ess_p"),
        f("battery_soc_percent", "%", "the battery's state of charge", "LD:soc"),
        f(
            "battery_backup_time_min",
            "min",
            "how long the battery could run the home",
            "LD:backupTimeRemaining",
        ),
        f("production_lifetime_kwh", "kWh", "lifetime production, the PVS's count", "LD:pv_en"),
        f(
            "grid_net_lifetime_kwh",
            "kWh",
            "lifetime imported - exported, the PVS's count",
            "LD:net_en",
        ),
        f(
            "consumption_lifetime_kwh",
            "kWh",
            "lifetime home use, the PVS's count",
            "LD:site_load_en",
        ),
        f("battery_net_lifetime_kwh", "kWh", "lifetime discharged - charged", "LD:ess_en"),
    ),
)
RELATIVE_POWER = f(
    "relative_power_percent",
    "%",
    "in daylight, this producing inverter's AC power against the site's median inverter",
    "sunpower-lp:health",
)
READING_AGE = f(
    "reading_age_s",
    "s",
    "where over 15 minutes, the PVS's clock minus this device's reading time: a device that "
    "stopped reporting",
    "sunpower-lp:health",
)
MEASUREMENTS: tuple[Measurement, ...] = tuple(
    measurement
    if measurement.name in ("pvs", "site")
    else measurement._replace(
        fields=(
            *measurement.fields,
            *((RELATIVE_POWER,) if measurement.name == "inverter" else ()),
            READING_AGE,
        )
    )
    for measurement in LISTED
) + (LIVE,)


def _sources(field: Field) -> str:
    return "; ".join(
        f"{kind} `{name}`" if name else kind
        for kind, _, name in (source.partition(":") for source in field.sources)
    )


def _firmware(field: Field) -> str:
    kinds = {source.partition(":")[0] for source in field.sources}
    legacy = bool(kinds & {"DL", "SS"}) or "sunpower-lp" in kinds
    current = bool(kinds & {"DL", "VS", "LD"}) or "sunpower-lp" in kinds
    return "both" if legacy and current else "legacy" if legacy else "current"


def format_fields(prefix: str = "sunpower_") -> str:
    """The vocabulary as a Markdown page."""
    out = [
        "# Fields: every measurement sunpower-lp prints",
        "",
        "<!-- Made by `python -m sunpower_telegraf.fields > docs/fields.md`; do not edit. -->",
        "",
        "One schema across firmware and sources: a device keeps one series (measurement and "
        "tags) and a quantity one field name and unit, whether the PVS runs legacy firmware "
        "(the `DeviceList`, and the storage status for a battery) or current firmware "
        "(`devices/list`, the varserver and `/sys/livedata`). Every number is a float in the "
        "unit given; strings are only the fields typed `string`. A device type or numeric key "
        "not listed here is printed the same way, by its name in snake case.",
        "",
        "Sources: `DL` the device list (the legacy `DeviceList` and current firmware's "
        "`devices/list` use the same names); `SS` the legacy storage status (a path under "
        "`ess_report`); `VS` the varserver of current firmware (`/sys/devices/<kind>/<i>/`, "
        "`/sys/info/`); `LD` `/sys/livedata/`; `sunpower-lp` worked out from the others. "
        "Firmware: which firmware gives the field (`both`, `legacy`, `current`).",
        "",
        "Tags: `serial` the device's serial; `model` its model (`PVS6`/`PVS5` for the PVS); "
        "`subtype` on meters only. A tag left empty by the PVS is left out.",
        "",
    ]
    for measurement in MEASUREMENTS:
        out += [
            f"## `{prefix}{measurement.name}`",
            "",
            f"Tags: {measurement.tags}. {measurement.meaning}",
            "",
            "| field | unit | type | firmware | meaning | source |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        out += [
            f"| `{field.name}` | {field.unit} | {field.type} | {_firmware(field)} | "
            f"{field.meaning} | {_sources(field)} |"
            for field in measurement.fields
        ]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(format_fields(), end="")
