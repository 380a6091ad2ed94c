//! Firmware contract: symbol manifests, sdkconfig, table generation.
