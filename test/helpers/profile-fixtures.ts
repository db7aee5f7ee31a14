// Profiles and permission sets as Salesforce writes them (metadata format), built from their entries.

/** A profile or permission set file: the XML declaration and the root element around `entries`. */
export const profileFile = (entries: string, root: 'Profile' | 'PermissionSet' = 'Profile') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://soap.sforce.com/2006/04/metadata">\n${entries}</${root}>\n`;

/** A <classAccesses> entry. */
export const classAccess = (apexClass: string, enabled = true) => `    <classAccesses>
        <apexClass>${apexClass}</apexClass>
        <enabled>${enabled}</enabled>
    </classAccesses>
`;

/** A <fieldPermissions> entry (field-level security) of a readable field. */
export const fieldPermission = (field: string, editable: boolean) => `    <fieldPermissions>
        <editable>${editable}</editable>
        <field>${field}</field>
        <readable>true</readable>
    </fieldPermissions>
`;

/** An <objectPermissions> entry: create, edit and read, and with `all` also delete, modify all and view all. */
export const objectPermission = (object: string, all: boolean) => `    <objectPermissions>
        <allowCreate>true</allowCreate>
        <allowDelete>${all}</allowDelete>
        <allowEdit>true</allowEdit>
        <allowRead>true</allowRead>
        <modifyAllRecords>${all}</modifyAllRecords>
        <object>${object}</object>
        <viewAllRecords>${all}</viewAllRecords>
    </objectPermissions>
`;

/** The <custom> scalar of a standard profile. */
export const notCustom = '    <custom>false</custom>\n';

/** The <userLicense> scalar of the Admin profile. */
export const userLicense = '    <userLicense>Salesforce</userLicense>\n';

/** The Admin profile's API Enabled user permission. */
export const apiEnabled = `    <userPermissions>
        <enabled>true</enabled>
        <name>ApiEnabled</name>
    </userPermissions>
`;

/** The scalars a permission set file ends with: no activation required, and its label. */
export const permissionSetScalars = (label: string) =>
  `    <hasActivationRequired>false</hasActivationRequired>\n    <label>${label}</label>\n`;
