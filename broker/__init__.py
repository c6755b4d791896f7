"""The MQTT broker: Anju's Mosquitto configuration and an embedded Python fallback."""
