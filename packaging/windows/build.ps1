# Builds the Windows installer: icons, PyInstaller one-folder bundle, Inno Setup installer.
# Run from the repository root in PowerShell, with the app installed in .venv and Inno Setup 6
# (iscc.exe) installed:   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$py = ".venv\Scripts\python.exe"

& $py -m pip install -q "pyinstaller>=6.10,<7"
if ($LASTEXITCODE) { throw "pip failed" }
$version = (& $py -c "import pacspace_desktop; print(pacspace_desktop.__version__)").Trim()
& $py packaging\icons\make_icons.py --out build\icons
if ($LASTEXITCODE) { throw "make_icons failed" }
& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\pacspace-desktop.spec
if ($LASTEXITCODE) { throw "PyInstaller failed" }

# The console executable runs the smoke test (the windowed one has no stdout).
$env:QT_QPA_PLATFORM = "offscreen"
$env:PACSPACE_DATA_DIR = Join-Path $env:TEMP ("pacspace-smoke-" + [guid]::NewGuid())
$out = & "dist\pacspace-desktop\pacspace-desktop.exe" --sandbox --smoke-test
if ($LASTEXITCODE -or ($out -notcontains "smoke test: ok")) { throw "smoke test failed: $out" }
Remove-Item Env:QT_QPA_PLATFORM, Env:PACSPACE_DATA_DIR

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" packaging\windows\pacspace-desktop.iss
if ($LASTEXITCODE) { throw "Inno Setup failed" }
Write-Host "built dist\PacSpace-Desktop-$version-setup.exe"
