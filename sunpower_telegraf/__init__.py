"""Read a SunPower PVS and print its devices as InfluxDB line protocol for Telegraf."""
