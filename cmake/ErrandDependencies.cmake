# Every third-party dependency of the library, found once. Debian package names in
# scripts/install-deps.sh; the gotchas of each are in comments beside its find below.
find_package(Threads REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json)   # Boost::json, Boost::headers (Asio)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis) # Debian's hiredis config has no target
find_package(OpenSSL 3 REQUIRED)                            # OpenSSL::SSL, TLS for rediss:// (libssl-dev)
find_package(spdlog CONFIG REQUIRED)                        # default log sink, never in public headers
find_package(SQLite3 REQUIRED)                              # SQLite::SQLite3, the embedded store
find_package(PostgreSQL REQUIRED)                           # PostgreSQL::PostgreSQL (libpq), the pgmq store
find_package(tomlplusplus CONFIG REQUIRED)                  # tomlplusplus::tomlplusplus, the TOML config reader
find_package(date CONFIG REQUIRED)                          # date::date-tz, IANA time zones for schedules (libhowardhinnant-date-dev)
