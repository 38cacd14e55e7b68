include $(sort $(wildcard $(BR2_EXTERNAL_SKIFF_CORE_NIXOS_PATH)/package/*/*.mk))
