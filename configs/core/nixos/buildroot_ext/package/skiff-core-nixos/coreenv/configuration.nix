# NixOS running as the skiff-core container: no bootloader, no kernel, the host
# owns networking and devices.
{ config, pkgs, ... }:
{
  boot.isContainer = true;
  networking.useHostResolvConf = true;
  services.openssh.enable = false;
  users.users.core = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };
  security.sudo.wheelNeedsPassword = false;
  environment.systemPackages = with pkgs; [ bashInteractive git vim curl ];
  system.stateVersion = "25.05";
}
