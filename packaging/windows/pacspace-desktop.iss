; Inno Setup 6 script: a per-user installer for PacSpace Desktop (no administrator rights).
; Build on Windows after the PyInstaller bundle (see packaging/README.md), from the repo root:
;   iscc /DAppVersion=0.1.0 packaging\windows\pacspace-desktop.iss
; packaging\windows\build.ps1 does all steps and passes the version read from the package.
; Output: dist\PacSpace-Desktop-<version>-setup.exe

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (build.ps1 reads it from pacspace_desktop)
#endif
#define AppName "PacSpace Desktop"
#define AppExe "PacSpace Desktop.exe"
#define Root "..\.."

[Setup]
; The AppId identifies the app for upgrades and the uninstaller: never change it.
AppId={{EC4E253A-F52F-404D-9F9A-08AF189CFE1A}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=PacSpace
AppPublisherURL=https://pacspace.io
VersionInfoVersion={#AppVersion}
; Per-user install: {autopf} is %LOCALAPPDATA%\Programs when not elevated.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile={#Root}\build\icons\pacspace-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir={#Root}\dist
OutputBaseFilename=PacSpace-Desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Upgrades replace files of a running app only after asking to close it.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller one-folder bundle (both executables and _internal\).
Source: "{#Root}\dist\pacspace-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade must not keep libraries of the previous version beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Record finance data in PacSpace"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; The uninstaller removes the program folder. The history, settings
; (%LOCALAPPDATA%\PacSpace\PacSpace Desktop) and the key in Windows Credential Manager stay.
