"""Import of the registry data of P1-P6 from CSV and XLSX files: every bad row reported at once,
nothing imported when anything is wrong."""
