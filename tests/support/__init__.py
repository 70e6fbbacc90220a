"""What the tests stand on, and no test itself.

The loopback stand-ins for a PVS (`standin`: HTTP(S), legacy or current firmware; `wsstandin`: a
PVS6 with its telemetry websocket; `hostile`: a raw-socket PVS that misbehaves below HTTP), a real
`influxd` in a temp dir (`influx`), the simulated days and their live stream (`daysim`,
`livesim`, `faults`, `polls`), the fixture cases and real-capture runs with their goldens
(`cases`, `realruns`), the record builders (`records`) and the failure contract every failing run
keeps (`contract`). `grafana/` and `benchmarks/` import from here too; no test module imports
another test module.
"""
