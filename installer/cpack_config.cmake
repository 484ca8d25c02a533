# CPack project config (CPACK_PROJECT_CONFIG_FILE), read by cpack once per generator.
# The .deb installs under /usr; the .tar.gz holds bin/ and share/ at its top.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
else()
  set(CPACK_PACKAGING_INSTALL_PREFIX "/")
endif()
